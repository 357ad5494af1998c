package dev.portolan.scanner.cli;

import dev.portolan.control.UsageException;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code portolan}: the entry point. */
@Command(
    name = "portolan",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Network exposure scanning: masscan's speed, nmap's depth.",
    subcommands = {ScanCommand.class, RunCommand.class, AgentCommand.class, ValidateCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  public static final int EXIT_USAGE = 2;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code (tests call this instead of main). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setParameterExceptionHandler(Main::onBadParameters);
    cli.setExecutionExceptionHandler(Main::onFailure);
    return cli.execute(args);
  }

  /** Bad flags, values or arity: one line that says what is wrong, and exit 2. */
  private static int onBadParameters(CommandLine.ParameterException e, String[] args) {
    PrintWriter err = e.getCommandLine().getErr();
    String message = e.getMessage();
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      message += " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
    }
    err.println("portolan: " + message + " (see 'portolan " + commandName(e.getCommandLine()) + "--help')");
    err.flush();
    return EXIT_USAGE;
  }

  private static String commandName(CommandLine cl) {
    return cl.getParent() == null ? "" : cl.getCommandName() + " ";
  }

  /** A {@link UsageException} is the user's to fix: one line, exit 2. Anything else is a bug. */
  private static int onFailure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) throws Exception {
    Throwable t = e;
    while (t.getCause() != null && !(t instanceof UsageException)) {
      t = t.getCause();
    }
    if (t instanceof UsageException) {
      cl.getErr().println("portolan: " + t.getMessage());
      cl.getErr().flush();
      return EXIT_USAGE;
    }
    if (e instanceof IOException io) {
      cl.getErr().println("portolan: " + io.getMessage());
      cl.getErr().flush();
      return 1;
    }
    throw e;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.err);
  }

  /** The version stamped into the build. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"portolan " + version()};
    }
  }

  public static String version() {
    return dev.portolan.control.BuildInfo.version();
  }
}
