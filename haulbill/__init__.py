"""Haulbill: the invoicing side of a road carrier's transport-management system."""

__version__ = "0.1.0"
