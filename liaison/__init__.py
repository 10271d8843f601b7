"""liaison: community liaison stations of a district procuratorate, and their office."""

__version__ = "0.1.0"
