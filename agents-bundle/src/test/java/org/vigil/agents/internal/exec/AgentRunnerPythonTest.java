package org.vigil.agents.internal.exec;

import org.vigil.agents.internal.SystemTests;

/** {@link AgentRunnerTest} against the Python helper ({@code vigil.agents.runner=python}), the fallback. */
class AgentRunnerPythonTest extends AgentRunnerTest {

    @Override
    AgentRunner newRunner() {
        AgentRunner r = new AgentRunner(null, "python");
        SystemTests.require(r.available(), r.unavailableReason());
        return r;
    }
}
