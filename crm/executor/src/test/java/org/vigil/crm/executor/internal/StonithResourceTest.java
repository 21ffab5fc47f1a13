package org.vigil.crm.executor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ExecStatus;
import org.vigil.kernel.spi.FenceAgent;
import org.vigil.kernel.spi.FenceRequest;
import org.vigil.kernel.spi.OcfStatus;

class StonithResourceTest {

    private final List<FenceRequest> ran = new ArrayList<>();
    private OcfStatus deviceAnswers = OcfStatus.OK;

    private final FenceAgent agent = new FenceAgent() {
        @Override
        public String name() {
            return "fence_test";
        }

        @Override
        public String metaData() {
            return "<resource-agent name=\"fence_test\"/>";
        }

        @Override
        public CompletionStage<AgentResult> execute(FenceRequest request) {
            ran.add(request);
            return CompletableFuture.completedFuture(new AgentResult(ExecStatus.DONE, deviceAnswers,
                deviceAnswers.code(), "", "", Duration.ZERO));
        }
    };

    private OcfStatus run(String rsc, String action) throws Exception {
        return new StonithResource(agent).execute(new AgentRequest(rsc, action, Map.of("ip", "10.0.0.1",
            "pcmk_host_list", "node1"), Map.of(), Duration.ofSeconds(5), Duration.ZERO)).toCompletableFuture().get()
            .status();
    }

    @Test
    void aDeviceRunsOnlyWhereItWasStartedAndItsMonitorAsksTheDevice() throws Exception {
        assertEquals(OcfStatus.NOT_RUNNING, run("fence-a", "monitor"), "a probe before any start");
        assertEquals(List.of(), ran, "the device is not asked for a probe of a device not started here");
        assertEquals(OcfStatus.OK, run("fence-a", "start"));
        assertEquals("monitor", ran.get(0).action());
        assertEquals(Map.of("ip", "10.0.0.1"), ran.get(0).params(), "pcmk_* stay with the fencer");
        assertEquals(OcfStatus.OK, run("fence-a", "monitor"));
        deviceAnswers = OcfStatus.ERR_GENERIC;
        assertEquals(OcfStatus.ERR_GENERIC, run("fence-a", "monitor"), "a device that stops answering fails");
        assertEquals(OcfStatus.OK, run("fence-a", "stop"), "a stop always works");
        assertEquals(OcfStatus.NOT_RUNNING, run("fence-a", "monitor"));
        assertEquals(OcfStatus.ERR_GENERIC, run("fence-b", "start"), "a device that does not answer does not start");
        assertEquals(OcfStatus.NOT_RUNNING, run("fence-b", "monitor"));
    }
}
