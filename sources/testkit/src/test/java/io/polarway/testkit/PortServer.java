package io.polarway.testkit;

import java.net.InetAddress;
import java.net.ServerSocket;

/** A child-JVM server for {@link ExternalProcessTest}: prints a line, then accepts connections on 127.0.0.1:args[0]. */
public final class PortServer {
    public static void main(String[] args) throws Exception {
        System.out.println("starting");
        try (ServerSocket s = new ServerSocket(Integer.parseInt(args[0]), 50, InetAddress.getLoopbackAddress())) {
            System.out.println("listening on " + s.getLocalPort());
            while (true) s.accept().close();
        }
    }
}
