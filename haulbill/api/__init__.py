"""The typed REST API (/api/v1) for TMS and ERP integration: thin doors onto the same services as the pages."""
