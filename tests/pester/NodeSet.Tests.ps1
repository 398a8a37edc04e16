BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1') -Force
}

Describe 'The built module' {
    It 'exports exactly the cmdlets of the manifest' {
        $manifest = Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1')
        (Get-Command -Module MilkCheck).Name | Sort-Object | Should -Be ($manifest.CmdletsToExport | Sort-Object)
        # The cmdlets of architecture.md §4 that exist so far are among them.
        $manifest.CmdletsToExport | Should -Contain 'Invoke-MilkCheckAction'
        $manifest.CmdletsToExport | Should -Contain 'Get-MilkCheckRun'
        $manifest.CmdletsToExport | Should -Contain 'Import-MilkCheckRun'
        $manifest.CmdletsToExport | Should -Contain 'ConvertTo-MilkCheckNagios'
    }

    It 'declares string output' {
        (Get-Command Expand-MilkCheckNodeSet).OutputType.Type | Should -Be ([string])
        (Get-Command Compress-MilkCheckNodeSet).OutputType.Type | Should -Be ([string])
    }

    It 'does not load YamlDotNet into the session at import' {
        # A fresh process: this one has loaded the module (and maybe more) already. The module's own copy lives in
        # its private context (deps/); a background load there (seen intermittently after other pwsh processes used
        # the module, most likely .NET's startup JIT profile replaying engine methods) neither costs the import nor
        # touches the session, so only the session's (Default) context is checked.
        $loaded = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command "Import-Module '$(Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1')'; [bool]([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -like '*YamlDotNet' -and [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name -eq 'Default' })"
        $loaded | Should -Be 'False'
    }
}

Describe 'Expand-MilkCheckNodeSet' {
    It 'writes one name per node in ClusterShell order' {
        Expand-MilkCheckNodeSet 'node[1-3],login' | Should -Be @('login', 'node1', 'node2', 'node3')
    }

    It 'expands each piped expression' {
        'n[1-2]', 'm1' | Expand-MilkCheckNodeSet | Should -Be @('n1', 'n2', 'm1')
    }

    It 'streams a hundred thousand names' {
        (Expand-MilkCheckNodeSet 'node[1-100000]' | Measure-Object).Count | Should -Be 100000
    }

    It 'can stop early without expanding the rest' {
        Expand-MilkCheckNodeSet 'node[1-99999999]' | Select-Object -First 2 | Should -Be @('node1', 'node2')
    }

    It 'reports a bad expression as a non-terminating NodeSetInvalid error and goes on' {
        $names = Expand-MilkCheckNodeSet 'nova[3-59/2,,102]', 'ok1' -ErrorVariable err -ErrorAction SilentlyContinue
        $names | Should -Be 'ok1'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'MilkCheck.NodeSetInvalid,*'
        $err[0].TargetObject | Should -Be 'nova[3-59/2,,102]'
        $err[0].Exception.Message | Should -BeLike '*position 13*'
    }

    It 'stops on a bad expression with -ErrorAction Stop' {
        { Expand-MilkCheckNodeSet 'n[1-' -ErrorAction Stop } | Should -Throw -ErrorId 'MilkCheck.NodeSetInvalid,*'
    }
}

Describe 'Compress-MilkCheckNodeSet' {
    It 'folds piped names into one string' {
        'node1', 'node2', 'node3' | Compress-MilkCheckNodeSet | Should -Be 'node[1-3]'
    }

    It 'folds names given as an argument' {
        Compress-MilkCheckNodeSet 'b2', 'b1', 'a' | Should -Be 'a,b[1-2]'
    }

    It 'round-trips with Expand' {
        Expand-MilkCheckNodeSet 'a[1-3]b[1-2]' | Compress-MilkCheckNodeSet | Should -Be 'a[1-3]b[1-2]'
    }

    It 'binds the Name property of piped objects' {
        [pscustomobject]@{ Name = 'web1' }, [pscustomobject]@{ Name = 'web2' } | Compress-MilkCheckNodeSet | Should -Be 'web[1-2]'
    }

    It 'reports a bad item and still folds the others' {
        $folded = Compress-MilkCheckNodeSet 'a1', 'bad[', 'a2' -ErrorVariable err -ErrorAction SilentlyContinue
        $folded | Should -Be 'a[1-2]'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'MilkCheck.NodeSetInvalid,*'
        $err[0].TargetObject | Should -Be 'bad['
    }

    It 'applies operators inside expressions' {
        Compress-MilkCheckNodeSet 'node[1-10]!node[3-5]' | Should -Be 'node[1-2,6-10]'
    }
}

Describe 'Node groups from a ClusterShell configuration' {
    BeforeAll {
        $cfg = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'clustershell')
        New-Item -ItemType Directory -Path (Join-Path $cfg 'groups.d') | Out-Null
        Set-Content (Join-Path $cfg 'groups.conf') "[Main]`ndefault: roles`nautodir: `$CFGDIR/groups.d`n"
        Set-Content (Join-Path $cfg 'groups.d/site.yaml') "roles:`n  compute: 'cn[1-4]'`n  login: 'login[1-2]'`n  all: 'cn[1-4],login[1-2]'`n"
        $saved = $env:CLUSTERSHELL_CFGDIR
        $env:CLUSTERSHELL_CFGDIR = $cfg.FullName
    }
    AfterAll { $env:CLUSTERSHELL_CFGDIR = $saved }

    It 'resolves @group through CLUSTERSHELL_CFGDIR' {
        Expand-MilkCheckNodeSet '@compute' | Should -Be @('cn1', 'cn2', 'cn3', 'cn4')
    }

    It 'resolves @source:group and combines groups with operators' {
        Compress-MilkCheckNodeSet '@roles:*!@login' | Should -Be 'cn[1-4]'
    }
}
