"""The REST API (/api/v1/): a front door over the same selectors and workflows as the console."""
