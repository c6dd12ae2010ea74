#!/bin/bash
# One-shot job (apache/kafka image): create the services' topics and their dead-letter topics
# before anything produces, with the partition count the services are told
# (LIANXIN_KAFKA_PARTITIONS) and a retention long enough to replay projections from.
# Idempotent: existing topics are left alone, so it runs on every `compose up`.
set -euo pipefail
BOOTSTRAP="${BOOTSTRAP:-kafka:9092}"
PARTITIONS="${PARTITIONS:-3}"
REPLICATION="${REPLICATION:-1}"
# Events are the source of the assessment projections (`lianxin-assessment replay`): keep them.
RETENTION_MS="${RETENTION_MS:--1}"
# Dead letters wait for a person to look: 30 days.
DLQ_RETENTION_MS="${DLQ_RETENTION_MS:-2592000000}"
TOPICS="people.v1 tickets.v1 assessment.v1"
kt=/opt/kafka/bin/kafka-topics.sh

for attempt in $(seq 1 60); do
    if "$kt" --bootstrap-server "$BOOTSTRAP" --list >/dev/null 2>&1; then break; fi
    [ "$attempt" = 60 ] && { echo "kafka-topics: no broker at $BOOTSTRAP after 60 tries" >&2; exit 1; }
    sleep 2
done
for topic in $TOPICS; do
    "$kt" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$topic" \
        --partitions "$PARTITIONS" --replication-factor "$REPLICATION" \
        --config "retention.ms=$RETENTION_MS"
    "$kt" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$topic.dlq" \
        --partitions "$PARTITIONS" --replication-factor "$REPLICATION" \
        --config "retention.ms=$DLQ_RETENTION_MS"
done
"$kt" --bootstrap-server "$BOOTSTRAP" --describe --topics-with-overrides
