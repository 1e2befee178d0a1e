"""spinesite: a static site generator for patient-education websites about spine conditions."""

__version__ = "0.1.0"
