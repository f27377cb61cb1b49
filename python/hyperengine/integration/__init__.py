"""Adapters that run hyperengine inside other tuning frameworks (Optuna, Ray Tune)."""
