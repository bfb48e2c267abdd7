#!/usr/bin/env bash
# The whole test suite from a clean checkout: the Debian packages the tests drive for real, the npm
# packages (npm ci also builds, through "prepare"), then every test. `npm test` runs this.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
/usr/bin/python3 -c 'import paste.deploy' >/dev/null 2>&1 || missing+=(python3-pastedeploy)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
command -v mariadbd >/dev/null 2>&1 || missing+=(mariadb-server mariadb-client)
# The real Glance of Debian 12: schema fixtures (glance-manage db_sync) and end-to-end runs.
[ -x /usr/bin/glance-manage ] || missing+=(glance-api glance-common python3-glanceclient)
# The real Keystone (uwsgi serves it) and a memcached for its token cache.
[ -x /usr/bin/keystone-manage ] || missing+=(keystone)
command -v memcached >/dev/null 2>&1 || missing+=(memcached)
# Debian's Swift (2.30) for the store's end-to-end tests: a one-node Swift started by the test.
[ -x /usr/bin/swift-proxy-server ] || missing+=(swift-proxy swift-account swift-container swift-object)
# Ansible (Debian's ansible-core) and an sshd for the several-nodes tests of ansible/.
command -v ansible-playbook >/dev/null 2>&1 || missing+=(ansible-core)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
# zsh, to load the zsh completion script the CLI prints.
command -v zsh >/dev/null 2>&1 || missing+=(zsh)
# groff and man, to read the man page the CLI prints.
command -v groff >/dev/null 2>&1 || missing+=(groff-base)
command -v man >/dev/null 2>&1 || missing+=(man-db)
# A JUnit XML reader, for validate --format junit.
/usr/bin/python3 -c 'import junitparser' >/dev/null 2>&1 || missing+=(python3-junitparser)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "the tests need these Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "installing ${missing[*]}" >&2
  apt-get update -qq
  # policy-rc.d keeps package scripts from starting services (MariaDB, Glance) on a test machine.
  created_policy=no
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=yes
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$created_policy" = yes ] && rm -f /usr/sbin/policy-rc.d
fi

npm ci --no-audit --no-fund
npm run typecheck
npm run lint
npx vitest run
