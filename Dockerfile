# The web image: the site under gunicorn, configured only by environment variables
# (docker-compose.yml lists them). Build: docker compose build, or docker build -t blog .
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app

# Dependencies before the code, so a code change reuses this layer. With --require-hashes pip
# installs exactly the pinned files of requirements.txt (written by `make lock`) or nothing.
COPY requirements.txt ./
RUN pip install --require-hashes --no-deps -r requirements.txt

COPY . .
# Hashed, compressed static files are part of the image. collectstatic needs some SECRET_KEY to
# load the settings; the real one is given to the container at run time.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

# The code stays root's and read-only; the site runs as an unprivileged user.
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin blog
USER blog

EXPOSE 8000
# Migrate, create the cache table, load the article, then exec gunicorn (bin/start-web).
CMD ["bin/start-web"]
