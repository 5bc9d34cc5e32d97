"""Personal data in citizens' messages: masking (masking.py), a tracker store that stores messages
masked (store.py), retention and erasure (retention.py), and the `python -m bot privacy` CLI."""
