# The production shape of the help center: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 1000 app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN pip install .

COPY . .
# Static files are collected into the image (whitenoise serves them, compressed and hashed).
# The values below only let the settings load for this step; the containers get their own.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-only-not-a-secret \
        DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 CELERY_BROKER_URL=memory:// \
        python manage.py collectstatic --no-input --verbosity 0 \
    && mkdir -p var/media var/mail var/beat \
    && chown -R app:app var

USER app
EXPOSE 8000
CMD ["gunicorn", "--config", "python:helpcenter.gunicorn_config", "helpcenter.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
