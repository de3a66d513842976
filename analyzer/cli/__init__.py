"""The ``floorshare`` command line (Typer): :mod:`analyzer.cli.app` builds the app, each
command group lives in :mod:`analyzer.cli.commands`. Commands only call the library.
"""
