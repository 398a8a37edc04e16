namespace MilkCheck.Engine.Tests.Groups;

/// <summary>A clock that moves only when told to, for cache expiry tests.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

internal static class Fixtures
{
    /// <summary>The shape of ClusterShell's conf/groups.d/cluster.yaml.example.</summary>
    public const string ClusterYaml = """
        roles:
            adm: 'example0'
            login: 'example[1-2]'
            compute: 'example[32-159]'
            gpu: 'example[156-159]'
            all: 'example[0-2,32-159]'
        racks:
            rack1: 'example[0-1]'
            rack2: 'example[2-5]'
            rack3: 'example[6-10]'
            rack4: 'example[32-89]'
            rack5: 'example[200-205,245,300,401-406]'
            old: '@rack[1,3]'
            new: '@rack[2,4]'
        cpu:
            ivy: 'example[32-63]'
            hsw: 'example[64-159]'
            sandy: 'example[2,4-5]'
        """;

    /// <summary>ClusterShell's bundled groups.d/local.cfg.</summary>
    public const string LocalCfg = """
        # ClusterShell groups config local.cfg
        #
        # Note: file auto-loaded unless $CFGDIR/groups is present
        adm: example0
        oss: example4 example5
        mds: example6
        io: example[4-6]
        compute: example[32-159]
        gpu: example[156-159]
        all: example[4-6,32-159]
        """;

    /// <summary>The bundled [local] source, minus the /etc directories so tests stay on their own files.</summary>
    public const string LocalSection = """
        [local]
        map: [ -f $CFGDIR/groups ] && f=$CFGDIR/groups || f=$CFGDIR/groups.d/local.cfg; sed -n 's/^$GROUP:\(.*\)/\1/p' $f
        all: [ -f $CFGDIR/groups ] && f=$CFGDIR/groups || f=$CFGDIR/groups.d/local.cfg; sed -n 's/^all:\(.*\)/\1/p' $f
        list: [ -f $CFGDIR/groups ] && f=$CFGDIR/groups || f=$CFGDIR/groups.d/local.cfg; sed -n 's/^\([0-9A-Za-z_-]*\):.*/\1/p' $f
        """;
}
