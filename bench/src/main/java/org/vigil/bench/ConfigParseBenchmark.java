package org.vigil.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.vigil.kernel.config.VigilConfig;

/** Parsing and validating a typical 3-node corosync.conf (the seed's totem section plus a nodelist). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConfigParseBenchmark {

    private static final String CONF = """
        totem {
            version: 2
            token: 3000
            token_retransmits_before_loss_const: 10
            join: 60
            consensus: 3600
            max_messages: 20
            transport: udpu
            interface {
                ringnumber: 0
                mcastport: 5405
            }
        }
        nodelist {
            node { ring0_addr: 10.0.0.1
                nodeid: 1 }
            node { ring0_addr: 10.0.0.2
                nodeid: 2 }
            node { ring0_addr: 10.0.0.3
                nodeid: 3 }
        }
        quorum {
            provider: corosync_votequorum
        }
        """.replace("{ ring0", "{\n ring0").replace(" }\n", "\n}\n");

    @Benchmark
    public VigilConfig parseAndValidate() throws Exception {
        return VigilConfig.fromText("bench.conf", CONF);
    }
}
