"""CLI commands that live outside hemokg/cli.py, one module per part, imported only when run."""
