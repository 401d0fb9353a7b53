FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements.txt

COPY . .
# collectstatic only needs some key at build time; the real one comes from the environment.
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput

RUN useradd --create-home --uid 10001 blog
USER blog

EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py load_seed_articles && exec gunicorn config.wsgi --bind 0.0.0.0:8000 --workers 2 --access-logfile -"]
