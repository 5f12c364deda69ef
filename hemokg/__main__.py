"""``python -m hemokg`` runs the command line."""

from hemokg.cli import main

if __name__ == "__main__":
    main()
