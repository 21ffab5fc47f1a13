package org.vigil.agents.internal.exec;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link AgentRunnerTest} against the Python helper ({@code vigil.agents.runner=python}), the fallback. */
class AgentRunnerPythonTest extends AgentRunnerTest {

    @Override
    AgentRunner newRunner() {
        AgentRunner r = new AgentRunner(null, "python");
        assumeTrue(r.available(), r.unavailableReason());
        return r;
    }
}
