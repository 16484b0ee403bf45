"""The ``interlock`` command line."""
