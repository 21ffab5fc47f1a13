package org.vigil.agents.internal.systemd;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.vigil.kernel.spi.AgentRequest;
import org.vigil.kernel.spi.AgentResult;
import org.vigil.kernel.spi.ResourceAgent;

/**
 * {@code service:<name>}: Pacemaker's alias class, the systemd unit of that name where systemd runs, else the
 * LSB init script. Delegates everything to the agent it stands for. Thread-safe.
 */
public final class ServiceAlias implements ResourceAgent {

    private final ResourceAgent target;

    public ServiceAlias(ResourceAgent target) {
        this.target = target;
    }

    @Override
    public String standard() {
        return "service";
    }

    @Override
    public String provider() {
        return null;
    }

    @Override
    public String type() {
        return target.type();
    }

    @Override
    public String metaData() throws Exception {
        return target.metaData();
    }

    @Override
    public CompletionStage<AgentResult> execute(AgentRequest request) {
        return target.execute(request);
    }

    @Override
    public List<String> validate(Map<String, String> params) {
        return target.validate(params);
    }

    @Override
    public boolean cancel(AgentRequest request) {
        return target.cancel(request);
    }
}
