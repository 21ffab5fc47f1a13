#!/usr/bin/python3
"""The seed cluster's RabbitMQ client (python3-pika), run in the client namespace against the public VIP.

  amqp-client.py publish HOST QUEUE N TAG   declares QUEUE (durable, a quorum queue: replicated on the cluster's
                                            nodes), publishes N persistent messages TAG-1..TAG-N with publisher
                                            confirms and prints each body the broker acknowledged, one a line
  amqp-client.py drain HOST QUEUE           takes every message of QUEUE (basic.get, acknowledged) and prints
                                            the bodies, one a line
User seed/seed. Exit status 1 and the reason on stderr when the broker cannot be reached or refuses."""
import sys
import pika

def connect(host):
    params = pika.ConnectionParameters(host=host, port=5672, credentials=pika.PlainCredentials("seed", "seed"),
                                       connection_attempts=1, socket_timeout=3, blocked_connection_timeout=5,
                                       heartbeat=0)
    return pika.BlockingConnection(params)

def main(argv):
    if len(argv) < 4 or argv[1] not in ("publish", "drain"):
        print(__doc__, file=sys.stderr)
        return 2
    host, queue = argv[2], argv[3]
    conn = connect(host)
    ch = conn.channel()
    ch.queue_declare(queue=queue, durable=True, arguments={"x-queue-type": "quorum"})
    if argv[1] == "publish":
        n, tag = int(argv[4]), argv[5]
        ch.confirm_delivery()
        for k in range(1, n + 1):
            body = "%s-%d" % (tag, k)
            # with confirms on, basic_publish returns once the broker acknowledged the message (raises if not)
            ch.basic_publish(exchange="", routing_key=queue, body=body.encode(),
                             properties=pika.BasicProperties(delivery_mode=2), mandatory=True)
            print(body, flush=True)
    else:
        while True:
            method, _, body = ch.basic_get(queue=queue, auto_ack=False)
            if method is None:
                break
            print(body.decode(), flush=True)
            ch.basic_ack(method.delivery_tag)
    conn.close()
    return 0

if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as e:  # any refusal or connection failure: one line, status 1
        print("amqp-client: %s: %r" % (type(e).__name__, e), file=sys.stderr)
        sys.exit(1)
