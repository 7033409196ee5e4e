"""The planners' workbench (规划工作台): ``cunjing serve``, a Chinese web application on the
bureau's intranet around the engine. Every call into the engine goes through ``engine.py``."""
