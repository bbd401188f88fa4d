#!/usr/bin/env bash
# Prints the first main-archive URI of this machine's apt sources: deb822 first (the `URIs:`
# of a stanza whose suites are not -security ones), then the one-line format. Whatever needs
# Debian's packages from outside apt (restic-debian.sh, debootstrap in the container smokes)
# reads the mirror here, so no host name lives in the project.
set -euo pipefail
deb822=/etc/apt/sources.list.d/debian.sources
uri=
if [ -r "$deb822" ]; then
  uri=$(awk '
    function flush() { if (uri != "" && !security && found == "") found = uri; uri = ""; security = 0 }
    /^[ \t]*$/ { flush(); next }
    tolower($1) == "uris:" { uri = $2 }
    tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i ~ /-security$/) security = 1 }
    END { flush(); if (found != "") print found }
  ' "$deb822")
elif [ -r /etc/apt/sources.list ]; then
  # deb [options] URI SUITE COMPONENTS...
  uri=$(awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i + 1) !~ /-security$/) { print $i; exit } }' /etc/apt/sources.list)
fi
if [ -z "$uri" ]; then
  echo "debian-mirror.sh: no Debian mirror in $deb822 or /etc/apt/sources.list" >&2
  exit 1
fi
echo "$uri"
