package org.vigil.kernel.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration that cannot be used; {@link #problems()} holds every error found (and warnings). */
public class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;
    private final List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        super(problems.stream().filter(p -> p.severity() == ConfigProblem.Severity.ERROR)
            .map(ConfigProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(ConfigProblem problem) {
        this(List.of(problem));
    }

    /** All problems, errors first in file order, then warnings. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    /** Only the errors. */
    public List<ConfigProblem> errors() {
        return problems.stream().filter(p -> p.severity() == ConfigProblem.Severity.ERROR).toList();
    }
}
