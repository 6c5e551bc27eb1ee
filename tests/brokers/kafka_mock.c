/* kafka_mock — a Kafka cluster for the broker tests: librdkafka's own mock
 * cluster (it speaks the real protocol on loopback), started with three
 * brokers. Prints one line, "bootstrap HOST:PORT,...", then obeys lines on
 * standard input, answering each with "ok" or "error: ...":
 *
 *   topic NAME PARTITIONS        create a topic (replication factor 3)
 *   down ID | up ID              take broker ID (1-3, or -1: all) down or up
 *   produce-errors N CODE        fail the next N Produce requests with CODE
 *                                (a Kafka error code, e.g. 7: request timed
 * out) quit                         (or the end of standard input) stop
 *
 * The cluster lives in this process: killing it loses every message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define PRODUCE_REQUEST 0

static void answer(rd_kafka_resp_err_t err)
{
	if (err)
		printf("error: %s\n", rd_kafka_err2str(err));
	else
		puts("ok");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int brokers = argc > 1 ? atoi(argv[1]) : 3;
	char errstr[512];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	/* A handle the cluster needs for its book keeping; it sends nothing. */
	if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) !=
	    RD_KAFKA_CONF_OK) {
		fprintf(stderr, "kafka_mock: %s\n", errstr);
		return 1;
	}
	rd_kafka_t *rk =
	    rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
	if (!rk) {
		fprintf(stderr, "kafka_mock: %s\n", errstr);
		return 1;
	}
	rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
	if (!mc) {
		fprintf(stderr,
			"kafka_mock: could not start the mock cluster\n");
		return 1;
	}
	printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);

	char line[512];
	while (fgets(line, sizeof line, stdin)) {
		char name[256];
		int a, b;
		if (sscanf(line, "topic %255s %d", name, &a) == 2) {
			answer(rd_kafka_mock_topic_create(
			    mc, name, a, brokers < 3 ? brokers : 3));
		} else if (sscanf(line, "down %d", &a) == 1) {
			answer(rd_kafka_mock_broker_set_down(mc, a));
		} else if (sscanf(line, "up %d", &a) == 1) {
			answer(rd_kafka_mock_broker_set_up(mc, a));
		} else if (sscanf(line, "produce-errors %d %d", &a, &b) == 2 &&
			   a > 0) {
			rd_kafka_resp_err_t *errs =
			    calloc((size_t)a, sizeof *errs);
			for (int i = 0; i < a; i++)
				errs[i] = (rd_kafka_resp_err_t)b;
			rd_kafka_mock_push_request_errors_array(
			    mc, PRODUCE_REQUEST, (size_t)a, errs);
			free(errs);
			answer(RD_KAFKA_RESP_ERR_NO_ERROR);
		} else if (strncmp(line, "quit", 4) == 0) {
			break;
		} else {
			printf("error: unknown command: %s", line);
			fflush(stdout);
		}
	}
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return 0;
}
