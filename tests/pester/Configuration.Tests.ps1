BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1') -Force
    $cluster = Join-Path $PSScriptRoot '../../examples/cluster'
    $broken = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'broken')).FullName
    Set-Content (Join-Path $broken 'site.yaml') "services:`n  web:`n    require: [ db ]`n    actions: { start: { cmd: 'true' } }`n"
}

Describe 'Get-MilkCheckService' {
    It 'lists every entity of the example cluster with dotted names' {
        $services = Get-MilkCheckService -Path $cluster
        $services.Name | Should -Contain 'lustre.oss'
        $services.Name | Should -Contain 'slurm.daemons'
        ($services | Where-Object Name -eq 'lustre').Kind | Should -Be 'Group'
        $services | Should -BeOfType ([MilkCheck.ServiceInfo])
    }

    It 'filters by tag, members included through their group' {
        (Get-MilkCheckService -Path $cluster -Tag scheduler).Name | Should -Be @('slurm', 'slurm.controller', 'slurm.daemons')
    }

    It 'filters by wildcard and lets a pipeline select on typed dependencies' {
        $weak = Get-MilkCheckService 'log*' -Path $cluster | Select-Object -ExpandProperty Dependencies | Where-Object Kind -eq RequireWeak
        $weak.Name | Should -Be 'monitoring'
    }

    It 'resolves -Path relative to the current location' {
        Push-Location (Split-Path $cluster)
        try { (Get-MilkCheckService network -Path ./cluster).Name | Should -Be 'network' } finally { Pop-Location }
    }

    It 'stops with ConfigurationInvalid showing file and line on a broken configuration' {
        $thrown = { Get-MilkCheckService -Path $broken } | Should -Throw -ErrorId 'MilkCheck.ConfigurationInvalid,*' -PassThru
        $thrown.Exception.Message | Should -BeLike "*site.yaml:3:16: Unknown dependency 'db'*"
    }

    It 'stops with ConfigurationNotFound on a missing directory' {
        { Get-MilkCheckService -Path (Join-Path $TestDrive 'nope') } | Should -Throw -ErrorId 'MilkCheck.ConfigurationNotFound,*'
    }
}

Describe 'Test-MilkCheckConfig' {
    It 'finds no problem in the example cluster' {
        Test-MilkCheckConfig -Path $cluster | Where-Object Severity -eq Error | Should -BeNullOrEmpty
        Test-MilkCheckConfig -Path $cluster -Quiet | Should -BeTrue
    }

    It 'returns one diagnostic per problem with its position' {
        $diagnostic = Test-MilkCheckConfig -Path $broken
        $diagnostic.ErrorId | Should -Be 'MilkCheck.Config.UnknownDependency'
        $diagnostic.Line | Should -Be 3
        $diagnostic.Column | Should -Be 16
        Test-MilkCheckConfig -Path $broken -Quiet | Should -BeFalse
    }

    It 'shows diagnostics as a table with file:line:column' {
        Test-MilkCheckConfig -Path $broken | Out-String | Should -Match 'Error\s+site\.yaml:3:16\s+Unknown dependency'
    }
}

Describe 'The global configuration (milkcheck.conf)' {
    BeforeAll { $saved = $env:MILKCHECK_CONF }
    AfterAll { $env:MILKCHECK_CONF = $saved }

    It 'gives the default -Path through config_dir of $env:MILKCHECK_CONF' {
        $conf = Join-Path $TestDrive 'milkcheck.conf'
        Set-Content $conf "config_dir: $((Resolve-Path $cluster).Path)`nfanout: 32`n"
        $env:MILKCHECK_CONF = $conf
        (Get-MilkCheckService network).Name | Should -Be 'network'
    }

    It 'reports its problems with their line in Test-MilkCheckConfig' {
        $conf = Join-Path $TestDrive 'bad.conf'
        Set-Content $conf "fanout: '8'`nreport: loud`nbogus: 1`n"
        $env:MILKCHECK_CONF = $conf
        $diagnostics = Test-MilkCheckConfig -Path $cluster
        ($diagnostics | Where-Object File -eq $conf).Line | Sort-Object | Should -Be @(1, 2, 3)
        Test-MilkCheckConfig -Path $cluster -Quiet | Should -BeFalse
    }

    It 'says where it looked when the default directory is missing' {
        $conf = Join-Path $TestDrive 'nodir.conf'
        Set-Content $conf "config_dir: $TestDrive/does-not-exist`n"
        $env:MILKCHECK_CONF = $conf
        { Get-MilkCheckService } | Should -Throw -ErrorId 'MilkCheck.ConfigurationNotFound,*'
    }
}

Describe 'Get-MilkCheckGraph' {
    It 'writes DOT of the example cluster with clusters for groups' {
        $dot = Get-MilkCheckGraph -Path $cluster
        $dot | Should -BeLike 'digraph dependency {*'
        $dot | Should -Match 'subgraph "cluster_lustre" \{'
        $dot | Should -Match '"login" -> "monitoring" \[style=dashed\];'
    }

    It 'writes a file identical to upstream -g output with Set-Content' {
        $file = Join-Path $TestDrive 'g.dot'
        Get-MilkCheckGraph nfs -Path $cluster | Set-Content -NoNewline:$false $file
        (Get-Content -Raw $file) | Should -BeExactly "digraph dependency {`ncompound=true;`nnode [style=filled];`n`"nfs`" -> `"network`";`n}`n`n"
    }

    It 'writes Mermaid' {
        Get-MilkCheckGraph -Path $cluster -Format Mermaid | Should -BeLike 'flowchart*'
    }
}
