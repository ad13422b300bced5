"""Small helpers every layer may import: nothing here imports an app."""
