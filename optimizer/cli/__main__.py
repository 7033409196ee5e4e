"""``python -m cunjing.optimizer.cli``: the ``cunjing`` command."""

from .main import entry

# guarded: a spawned helper process imports the parent's main module again (as __mp_main__)
if __name__ == "__main__":
    entry()
