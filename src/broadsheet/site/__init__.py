"""The site: pages for readers, rendered on the server."""
