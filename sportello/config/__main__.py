"""`python -m sportello.config [--write | --check]`: the variables table of the README."""

from __future__ import annotations

import sys

from sportello.config.readme import README, is_current, table, write


def main(argv: list[str]) -> int:
    if "--write" in argv:
        print(f"==> {README.name}: tabella delle variabili {'aggiornata' if write() else 'già aggiornata'}")
        return 0
    if "--check" in argv:
        if is_current():
            return 0
        print("README.md: la tabella delle variabili non è aggiornata; esegui `make docs-config`", file=sys.stderr)
        return 1
    print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
