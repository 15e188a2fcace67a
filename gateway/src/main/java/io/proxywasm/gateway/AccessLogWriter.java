package io.proxywasm.gateway;

import io.proxywasm.gateway.config.ConfigException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log files of a gateway, one writer per path shared by every listener and event loop. A
 * line is appended to its file's buffer under a short lock; a background thread writes the buffers
 * out every second (Envoy's flush interval), sooner when one holds 64 KiB, and once more at
 * shutdown. An event loop never waits for the file. While a file cannot keep up, lines beyond 16
 * MiB of backlog are dropped and counted.
 */
final class AccessLogWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AccessLogWriter.class);

  static final int FLUSH_BYTES = 64 * 1024;
  static final int MAX_BACKLOG = 16 * 1024 * 1024;
  static final long FLUSH_INTERVAL_MILLIS = 1000;

  /** One file. */
  static final class File {
    final String path;
    private final OutputStream out;
    private final boolean closeable;
    private StringBuilder buffer = new StringBuilder();
    private long dropped;
    private boolean failed;

    private File(String path, OutputStream out, boolean closeable) {
      this.path = path;
      this.out = out;
      this.closeable = closeable;
    }

    /** Queues a line; returns true when the buffer asks for an early flush. */
    boolean add(String line) {
      synchronized (this) {
        if (buffer.length() + line.length() > MAX_BACKLOG) {
          dropped++;
          return false;
        }
        buffer.append(line);
        return buffer.length() >= FLUSH_BYTES;
      }
    }

    /** Writes what is queued; on the flushing thread only. */
    void flush() {
      StringBuilder b;
      long lost;
      synchronized (this) {
        if (buffer.length() == 0 && dropped == 0) {
          return;
        }
        b = buffer;
        buffer = new StringBuilder();
        lost = dropped;
        dropped = 0;
      }
      if (lost > 0) {
        LOG.warn("access log {}: {} lines dropped, the file did not keep up", path, lost);
      }
      try {
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        failed = false;
      } catch (IOException e) {
        if (!failed) {
          LOG.warn("access log {}: cannot write: {}", path, e.getMessage());
        }
        failed = true;
      }
    }
  }

  private final Map<String, File> files = new HashMap<>();
  private final Object signal = new Object();
  private boolean wake;
  private volatile boolean closed;
  private Thread flusher;

  /**
   * Opens a file for appending, or returns the one already open at that path.
   *
   * @param path the file, {@code /dev/stdout} or {@code /dev/stderr}
   * @param yamlPath the place of the access log in the YAML
   * @return the file
   */
  synchronized File open(String path, String yamlPath) throws ConfigException {
    File f = files.get(path);
    if (f != null) {
      return f;
    }
    if (path.equals("/dev/stdout")) {
      f = new File(path, new FileOutputStream(FileDescriptor.out), false);
    } else if (path.equals("/dev/stderr")) {
      f = new File(path, new FileOutputStream(FileDescriptor.err), false);
    } else {
      try {
        f = new File(path, new FileOutputStream(path, true), true);
      } catch (IOException e) {
        throw new ConfigException(
            yamlPath + ".path: cannot open " + path + " for appending: " + e.getMessage(), e);
      }
    }
    files.put(path, f);
    if (flusher == null) {
      flusher = new Thread(this::run, "proxy-wasm-access-log");
      flusher.setDaemon(true);
      flusher.start();
    }
    return f;
  }

  /**
   * Queues a line.
   *
   * @param f the file
   * @param line the line, with its line end
   */
  void write(File f, String line) {
    if (f.add(line)) {
      synchronized (signal) {
        wake = true;
        signal.notifyAll();
      }
    }
  }

  private void run() {
    while (!closed) {
      synchronized (signal) {
        if (!wake) {
          try {
            signal.wait(FLUSH_INTERVAL_MILLIS);
          } catch (InterruptedException e) {
            return;
          }
        }
        wake = false;
      }
      flushAll();
    }
  }

  private void flushAll() {
    List<File> all;
    synchronized (this) {
      all = new ArrayList<>(files.values());
    }
    for (File f : all) {
      f.flush();
    }
  }

  /** Writes what is queued and closes the files; lines queued after this are not written. */
  @Override
  public void close() {
    closed = true;
    Thread t;
    synchronized (this) {
      t = flusher;
    }
    if (t != null) {
      synchronized (signal) {
        wake = true;
        signal.notifyAll();
      }
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      for (File f : files.values()) {
        f.flush();
        if (f.closeable) {
          try {
            f.out.close();
          } catch (IOException e) {
            LOG.warn("access log {}: cannot close: {}", f.path, e.getMessage());
          }
        }
      }
      files.clear();
    }
  }
}
