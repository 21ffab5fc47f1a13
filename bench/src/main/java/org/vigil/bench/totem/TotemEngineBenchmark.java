package org.vigil.bench.totem;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.vigil.kernel.internal.totem.Guarantee;
import org.vigil.kernel.internal.totem.TotemConfig;
import org.vigil.kernel.internal.totem.sim.DirectRing;

/**
 * The Totem engine alone: three engines in one thread, wired back to back (no sockets, no copies, no delays;
 * {@link DirectRing}), with the seed's timing (token 3000, retransmits 10, join 60, consensus 3600,
 * max_messages 20). One operation is one application message of {@code size} bytes submitted by node 1 and
 * delivered in agreed (or safe) order by all three nodes, so ops/s is messages per second of CPU for the whole
 * 3-node ring (every engine's work on one core), and {@code gc.alloc.rate.norm} is the bytes allocated per
 * message by the three engines together.
 *
 * <pre>java -jar bench/target/benchmarks.jar TotemEngineBenchmark -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class TotemEngineBenchmark {

    static final int BATCH = 10_000;

    @Param({"64", "1024"})
    int size;

    private DirectRing ring;
    private byte[] payload;

    @Setup(Level.Trial)
    public void setUp() {
        ring = new DirectRing(3, TotemConfig.parse(3, "token: 3000", "token_retransmits_before_loss_const: 10",
            "join: 60", "consensus: 3600", "max_messages: 20"));
        payload = new byte[size];
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long agreed() {
        if (!ring.sendAndDeliver(1, payload, BATCH, Guarantee.AGREED)) {
            throw new IllegalStateException("messages not delivered");
        }
        return ring.delivered(3);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long safe() {
        if (!ring.sendAndDeliver(1, payload, BATCH, Guarantee.SAFE)) {
            throw new IllegalStateException("messages not delivered");
        }
        return ring.delivered(3);
    }
}
