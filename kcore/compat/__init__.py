"""Running code written for other Keras versions on kcore: :mod:`kcore.compat.keras1` (the
``keras`` import alias) and :mod:`kcore.compat.run` (``kcore run SCRIPT.py``)."""
