package org.vigil.crm.internal.tools;

/**
 * Nested lists as Pacemaker's "fancy" text output prints them ({@code --text-fancy}, lib/common/output_text.c): a
 * list's header ends with a colon and, inside another list, is itself an item; items are bulleted and indented two
 * spaces per open list; a list without a header only indents what it holds.
 */
final class FancyText {

    private final StringBuilder out = new StringBuilder();
    private int depth;

    /** Opens a list; {@code header} is printed (null: none). Follows {@code text_begin_list()}. */
    void begin(String header) {
        if (header != null) {
            out.append("  ".repeat(depth)).append(depth > 0 ? "* " : "").append(header).append(":\n");
        }
        depth++;
    }

    /** One item of the innermost list. Follows {@code text_list_item()}. */
    void item(String text) {
        out.append("  ".repeat(depth)).append("* ").append(text).append('\n');
    }

    /** Closes the innermost list. */
    void end() {
        depth--;
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
