package dev.portolan.scanner.cli;

import dev.portolan.control.UsageException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** The files a user names on the command line, read here so that the control logic does no I/O. */
final class InputFiles {
  private InputFiles() {}

  /** The whole text of {@code file}; {@code what} names it in the one-line error ("the guard file"). */
  static String text(Path file, String what) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw cannotRead(file, what, e);
    }
  }

  static List<String> lines(Path file, String what) {
    return text(file, what).lines().toList();
  }

  static UsageException cannotRead(Path file, String what, IOException e) {
    if (e instanceof CharacterCodingException) {
      return new UsageException("cannot read " + what + " '" + file + "': it is not UTF-8 text");
    }
    String reason = switch (e) {
      case NoSuchFileException x -> "no such file";
      case AccessDeniedException x -> "permission denied";
      default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    };
    return new UsageException("cannot read " + what + " '" + file + "' (" + reason + "): check the path and its permissions");
  }
}
