namespace MilkCheck.Cli;

/// <summary>Upstream's optparse help (spec §5.2), then the options this command adds for monitoring.</summary>
internal static class HelpText
{
    public static string For(string program) =>
        $"""
        Usage: {program} [options] [SERVICE...] ACTION

        Options:
          --version             show program's version number and exit
          -h, --help            show this help message and exit
          -v, --verbose         Increase or decrease verbosity
          -d, --debug           Set debug mode and maximum verbosity
          -g, --graph           Output dependencies graph
          -s, --summary         --summary is an alias for --report=default
          -r REPORT, --report=REPORT
                                Display a report of executed actions
          -c CONFIG_DIR, --config-dir=CONFIG_DIR
                                Change configuration files directory
          -q, --quiet           Enable quiet mode
          -y, --assumeyes       Answer yes to any requested confirmation

          Engine parameters:
            Those options allow you to configure the behaviour of the engine

            -n ONLY_NODES, --only-nodes=ONLY_NODES
                                Use only the specified nodes
            -x EXCLUDED_NODES, --exclude-nodes=EXCLUDED_NODES
                                Exclude the cluster's nodes specified
            -X EXCLUDED_SVC, --exclude-service=EXCLUDED_SVC
                                Skip the specified services
            --dry-run           Only simulate command execution
            -D DEFINES, --define=DEFINES, --var=DEFINES
                                Define custom variables
            --nodeps            Do not run dependencies
            -t TAGS, --tags=TAGS
                                Run services matching these tags

          Monitoring:
            Nagios plugin output (check_milkcheck implies --nagios)

            --nagios            Print a Nagios plugin status, exit 0, 1, 2 or 3
            --timeout=SECONDS   Stop the whole run after SECONDS

        """;
}
