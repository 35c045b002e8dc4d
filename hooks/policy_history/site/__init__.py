"""The MkDocs-facing layer: settings, generated pages and page data. The core stays MkDocs-free."""
