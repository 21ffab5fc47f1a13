package org.vigil.agents.internal;

import org.vigil.agents.internal.exec.AgentRunner;

/** Every fault test of {@link OcfFaultTest} again through the Python runner helper (the fallback). */
class OcfFaultPythonRunnerTest extends OcfFaultTest {

    @Override
    AgentRunner newRunner() {
        return new AgentRunner(null, "python");
    }
}
