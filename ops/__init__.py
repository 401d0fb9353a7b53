"""Running the site: the health check, the page shown without a database, log format."""
