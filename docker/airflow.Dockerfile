# Airflow 3 with this provider installed from the checkout (the build context is the repository root).
ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.12
FROM ${AIRFLOW_IMAGE}
COPY --chown=airflow:0 pyproject.toml README.md /opt/provider/
COPY --chown=airflow:0 src /opt/provider/src
RUN pip install --no-cache-dir /opt/provider
