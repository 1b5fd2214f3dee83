"""Old name of a command line: see `services/moved.py`."""

if __name__ == "__main__":
    from services.moved import forward

    forward("services.models")
