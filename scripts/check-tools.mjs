// Before the suite: the programs the tests run for real (a registry server, its password and key
// tools, git, the kustomize oracle). A missing one is one line saying what to install, instead of
// dozens of failed tests.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const found = (cmd) => {
  try {
    execFileSync('/bin/sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const missing = [
  // test-support/registry starts Debian's /usr/bin/docker-registry.
  !(existsSync('/usr/bin/docker-registry') && found('docker-registry')) && 'docker-registry',
  !found('htpasswd') && 'apache2-utils',
  !found('openssl') && 'openssl',
  !found('git') && 'git'
].filter(Boolean);
const hints = [];
if (missing.length)
  hints.push(`sudo apt-get install ${missing.join(' ')}  (or run bash .ci/run, which installs them)`);
if (!found('kubectl'))
  hints.push('kubectl 1.27+ for `kubectl kustomize` (https://kubernetes.io/docs/tasks/tools/)');
if (hints.length) {
  console.error(`npm test needs: ${hints.join('; and ')}`);
  process.exit(1);
}
