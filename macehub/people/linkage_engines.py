"""The engines record linkage runs on: Splink's embedded DuckDB, or Apache Spark in
local mode for data sets beyond one machine (``LinkageEngine``). ``engine_api`` gives
one run its engine's Splink interface and releases it afterwards; a Spark session is held
open only within ``spark_session`` and its Java process ended when it closes."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from macehub.people.codes import LinkageEngine
from macehub.people.linkage_records import ROOT_COLUMNS

if TYPE_CHECKING:
    import pandas


class LinkageError(Exception):
    """The records cannot be linked as given (too few, or a model that does not fit)."""

# Spark in local mode: cores when the caller names none; its memory, modest for a small
# list and more above SPARK_SMALL_LIST records (a force's 50,000 people failed in 1 GB
# and ran in 2 GB, short of room); and records per shuffle partition (Spark's default
# of 200 partitions spends longer scheduling empty tasks than a small list takes).
SPARK_DEFAULT_THREADS = 2
SPARK_SMALL_LIST = 10_000
SPARK_MEMORY_SMALL, SPARK_MEMORY_LARGE = "1g", "4g"
SPARK_RECORDS_PER_PARTITION = 50_000
# Spark's own log: errors only (its start-up notices and warnings about this machine
# say nothing to someone linking records).
SPARK_LOG_SETTINGS = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.spark.name = org.apache.spark
logger.spark.level = error
"""


# --- The engines -----------------------------------------------------------------------------

# The Spark session ``spark_session`` holds open, for the runs within it. One run at a
# time uses it: each points the session's checkpoints at a directory of its own.
_open_spark: list[Any] = []
_spark_runs = threading.Lock()


@contextmanager
def spark_session(*, threads: int | None = None, memory: str = SPARK_MEMORY_SMALL
                  ) -> Iterator[Any]:
    """Spark in local mode (``threads`` cores, ``memory`` for its Java process) for every
    Spark run within the block, stopped at its end; without one, each run starts and
    stops its own (seconds each). Spark's working files, personal data among them, stay
    in a temporary directory that is removed with it."""
    if _open_spark:
        yield _open_spark[-1]
        return
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise LinkageError("Linking on Spark needs Java 17 or newer "
                           "(Debian: apt-get install default-jre-headless).")
    from pyspark import SparkContext
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    # Spark's Java process keeps some settings for its life (its working directory
    # among them): a session that starts one ends it too.
    starts_java = SparkContext._gateway is None
    with tempfile.TemporaryDirectory(prefix="macehub-spark-") as scratch, ExitStack() as stack:
        if starts_java:
            stack.callback(_end_spark_java)
        log_settings = Path(scratch) / "log4j2.properties"
        log_settings.write_text(SPARK_LOG_SETTINGS, encoding="utf-8")
        session = (
            SparkSession.builder.master(f"local[{int(threads or SPARK_DEFAULT_THREADS)}]")
            .appName("MACE Hub record linkage")
            # Splink's string similarity functions (Jaro-Winkler) for Spark SQL.
            .config("spark.jars", similarity_jar_location())
            # Read as Spark's Java process starts.
            .config("spark.driver.memory", memory)
            .config("spark.driver.extraJavaOptions",
                    f"-Dlog4j2.configurationFile={log_settings.as_uri()}")
            .config("spark.local.dir", scratch)
            .config("spark.sql.warehouse.dir", str(Path(scratch) / "warehouse"))
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate())
        stack.callback(session.stop)
        session.sparkContext.setLogLevel("ERROR")
        _open_spark.append(session)
        try:
            yield session
        finally:
            _open_spark.remove(session)


def _end_spark_java() -> None:
    """End the Java process Spark started (it stops when its input closes)."""
    from py4j.protocol import Py4JError
    from pyspark import SparkContext

    gateway, SparkContext._gateway, SparkContext._jvm = SparkContext._gateway, None, None
    if gateway is None:
        return
    with suppress(Py4JError):  # a process that failed has nothing to say
        gateway.shutdown()
    process = getattr(gateway, "proc", None)
    if process is not None:
        process.stdin.close()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def _spark_api(*, threads: int | None, records: int) -> Iterator[Any]:
    """Splink's Spark interface for one run: the run's tables written (as Parquet) to a
    directory of its own, removed afterwards with the session's views of them."""
    from py4j.protocol import Py4JError
    from splink.backends.spark import SparkAPI

    with _spark_runs, ExitStack() as stack:
        session = stack.enter_context(spark_session(
            threads=threads,
            memory=SPARK_MEMORY_SMALL if records <= SPARK_SMALL_LIST else SPARK_MEMORY_LARGE))
        partitions = max(session.sparkContext.defaultParallelism,
                         math.ceil(records / SPARK_RECORDS_PER_PARTITION))
        session.conf.set("spark.sql.shuffle.partitions", str(partitions))
        session.sparkContext.setCheckpointDir(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="macehub-linkage-")))
        try:
            yield SparkAPI(  # type: ignore[no-untyped-call]
                spark_session=session, num_partitions_on_repartition=partitions)
        finally:
            with suppress(Py4JError):  # after a run that failed in Spark's Java process
                session.catalog.clearCache()
                for table in session.catalog.listTables():
                    if table.isTemporary:
                        session.catalog.dropTempView(table.name)


@contextmanager
def engine_api(engine: LinkageEngine, *, threads: int | None, records: int
                ) -> Iterator[Any]:
    """The engine's Splink interface for one run, released after it."""
    if engine == LinkageEngine.SPARK:
        with _spark_api(threads=threads, records=records) as api:
            yield api
        return
    import duckdb
    from splink import DuckDBAPI

    connection = duckdb.connect()
    try:
        if threads:
            connection.execute(f"SET threads = {int(threads)}")
        yield DuckDBAPI(connection=connection)
    finally:
        connection.close()


def spark_table(api: Any, frame: pandas.DataFrame, ids: str) -> Any:
    """A list as a Spark table (through Arrow), its types given rather than guessed
    from the values: every field text, the name roots lists of text, the ids whole
    numbers or text."""
    import pyarrow as pa

    def column_type(column: str) -> Any:
        if column == "unique_id":
            return pa.int64() if ids == "integer" else pa.string()
        return pa.list_(pa.string()) if column in ROOT_COLUMNS else pa.string()

    schema = pa.schema([(column, column_type(column)) for column in frame.columns])
    return api.spark.createDataFrame(pa.Table.from_pandas(frame, schema=schema,
                                                          preserve_index=False))
