"""Operations: first-run set-up (`python -m services.ops.bootstrap`), the health check
(`python -m services.ops.doctor`) and the model-regression replay (`python -m services.ops.replay`).

Each module is a command line first; nothing in the serving path imports this package except the
set-up step that `app.py` runs before start.
"""

__all__ = ["bootstrap", "doctor", "replay"]
