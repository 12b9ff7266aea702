#!/bin/sh
# Wrapper: see check_bmtool_modfiles.py (same arguments).
exec python3 "$(dirname "$0")/check_bmtool_modfiles.py" "$@"
