"""Known dataset files: path relative to the datasets root -> sha256 of the file contents.

The files themselves are not part of the package; :mod:`neurolib.utils.loadData` fetches them on demand and
checks each download against the hash listed here.
"""

REGISTRY = {
    "gw/subjects/NAP_001/functional/BOLD_rsfMRI.mat": (
        "b0bd42631c91ce0e99c082b98bdf7f4948ae5718fc3c1429f5397c54df8edf80"
    ),
    "gw/subjects/NAP_001/structural/DTI_CM.mat": "8326b0f04bb7bd233156a49e7e9e7017663dc95b3d601bcb42020f762ae57b36",
    "gw/subjects/NAP_001/structural/DTI_LEN.mat": "9bbdce2ee86f284eceb74f372e2cc66862cdaa6f137bc78915e97a245c9579d8",
    "gw/subjects/NAP_002/functional/BOLD_rsfMRI.mat": (
        "adb9fb392aa01cfbbbebb3af5be97f28ecec0c33111ed4c1f151d6dcd2b154b2"
    ),
    "gw/subjects/NAP_002/structural/DTI_CM.mat": "9e80cfd16629d7199297978b63b5bd586add20376af2584d35ec21e79be7ea6c",
    "gw/subjects/NAP_002/structural/DTI_LEN.mat": "1f865eb80e33a657b5074c8a35fb1c500edd72b777b8c5fc704770a9e4995082",
    "gw/subjects/NAP_007/functional/BOLD_rsfMRI.mat": (
        "73ad4e16d43f88a4c3624ba1d9a5a2695d82ca8de557b107e825a8cd9cc6a3ad"
    ),
    "gw/subjects/NAP_007/structural/DTI_CM.mat": "39e1ecd788e691ba16c6574433ac4664d7a3037ac52c75c0a4594961602aec26",
    "gw/subjects/NAP_007/structural/DTI_LEN.mat": "f530bf063a7e4a37194ad20f5ea4534eef96d4d7b997f2f182ff7d13d9c51b51",
    "gw/subjects/NAP_009/functional/BOLD_rsfMRI.mat": (
        "75091402fed146af74b98eb52cf1ac1fa8ebffc5e1b7f3bfa8f4e012a5b29a4d"
    ),
    "gw/subjects/NAP_009/structural/DTI_CM.mat": "938f73f08319a6b0bfd118975024d38d56aefe0530362a1e55d34453caee947c",
    "gw/subjects/NAP_009/structural/DTI_LEN.mat": "8a7f14f9321d9c50856a2781d4d5420fc8b679654866be8f7801b9ee4a60ef5b",
    "gw/subjects/NAP_013/functional/BOLD_rsfMRI.mat": (
        "4690e8f435222cd8a6aa78c0061e6d9193bfd80c613c912476c0e9370990801d"
    ),
    "gw/subjects/NAP_013/structural/DTI_CM.mat": "7b9167270d0701203d9a2294536c7d1c5dc9b142f5649594a51b298fab6a138e",
    "gw/subjects/NAP_013/structural/DTI_LEN.mat": "592cfa7d2644eb91b5a695ba63884280ea25c426cb0bf78a5a3ec8fc915c7aff",
    "hcp/subjects/101309/functional/TC_rsfMRI_REST1_LR.mat": (
        "204474961d610fb6f399f8ed63d9aecfbf5d6bd7d819ef63ce15702b2cafa319"
    ),
    "hcp/subjects/101309/structural/DTI_CM.mat": "7bb345097336cf6be1c069156d36de0c9e928dcb4a9c49dab38ecca65c834043",
    "hcp/subjects/101309/structural/DTI_LEN.mat": "d339230c39874d1c8c444b9c585336fdec6f42e0c963c6ae97034f0b21f7da0e",
    "hcp/subjects/101309/structural/nvoxel.txt": "c26f417fff9890dfd5d95fefe0cf2c7940899963bec0009007c35912d6ab1c5c",
    "hcp/subjects/101309/structural/waytotal.txt": "053a7c8cfa327b701a15103e651c2ed94f793c350143b133892579eb5b6c1362",
    "hcp/subjects/102311/functional/TC_rsfMRI_REST1_LR.mat": (
        "803d25284301d9acd5806d48c539677ab7ee77f49f3dd4c2f51e5ac4ef67206e"
    ),
    "hcp/subjects/102311/structural/DTI_CM.mat": "dd3e2d429e0bd4268b47a2c016e173eb3da936fca3adf24a9cbb4e484867c54e",
    "hcp/subjects/102311/structural/DTI_LEN.mat": "38cf2cfacb1c15a266d8238f54bea6b3c487e662019abb45d1ccac8c08057b84",
    "hcp/subjects/102311/structural/nvoxel.txt": "97ef48eb3ff3e178ca85124389d0d6b37fa9a6d3d221cc366ee07c1c75ede3f9",
    "hcp/subjects/102311/structural/waytotal.txt": "b165afedb1b313894d110638d2ac84fa7f15ed41dcbff5e77e2080ce7123d436",
    "hcp/subjects/102816/functional/TC_rsfMRI_REST1_LR.mat": (
        "83f1c71b9d167da849b9f14501d6425c276fe99b7cd6e2431a847809a670a519"
    ),
    "hcp/subjects/102816/structural/DTI_CM.mat": "3b4f4d153d7b330a95f373d1836fc6e8e3a1af22da38d9eacbf4af9d9c2dd52d",
    "hcp/subjects/102816/structural/DTI_LEN.mat": "bc41fd2eb2bd08249ae5dee53519ed9c48f278c9c2183d027db7735f5cd29811",
    "hcp/subjects/102816/structural/nvoxel.txt": "20569c8eb86f1dba1f7b6958f2d3ecacb5ed6f38333f1a84b3a72a9680a458b9",
    "hcp/subjects/102816/structural/waytotal.txt": "46e8517222a2040d26110d4e7c986e7fce574b8d63dd86ed1d7db3cfa3b88552",
    "hcp/subjects/131217/functional/TC_rsfMRI_REST1_LR.mat": (
        "860401d4d5444c55751ad8512c7d35f14a737b1428bdd2b02b6a99fd0f841c93"
    ),
    "hcp/subjects/131217/structural/DTI_CM.mat": "5798d7a9b8ecbb09ec03a8dfed35e325a8eb6d772d7e338c8827fc34e021c5ca",
    "hcp/subjects/131217/structural/DTI_LEN.mat": "48d2929d944b20f6f1566f0e5a4794b4d6103299dc48a3945fb94468dc237f9a",
    "hcp/subjects/131217/structural/nvoxel.txt": "bb3638ccd6f746c257e780f5515a301caadf7f0e92d1c0394b4ddf33ad604624",
    "hcp/subjects/131217/structural/waytotal.txt": "f67ab0a0e9ebb88ffdc53902f3a6a9ccb452b14f0a5f8f36b3ad227302409b5d",
    "hcp/subjects/211619/functional/TC_rsfMRI_REST1_LR.mat": (
        "97292de8cf029e4347dc36c6a264625556c9940ba81bb86ffb6179116346122b"
    ),
    "hcp/subjects/211619/structural/DTI_CM.mat": "34b5b26414f4349720b753b8fe78a6b78b3f57646f696565ff87356aa008fbc0",
    "hcp/subjects/211619/structural/DTI_LEN.mat": "cb968a68bc5059c16ab7eaedf8f825886652ce41c1311f1927d29c0b8eb92cd8",
    "hcp/subjects/211619/structural/nvoxel.txt": "592263d234a55ba858a485f3a678b81c23550c3912ce0d8643f6798b5e8034a2",
    "hcp/subjects/211619/structural/waytotal.txt": "7e0a67f4a7ae387960a4594f2b30fe3491b6d60256f92fab4f03aa745ce5ddc1",
    "hcp/subjects/213522/functional/TC_rsfMRI_REST1_LR.mat": (
        "39f48b5b40403d309b3cfb82ee92a84042c7312565145754d5e566169c664e8c"
    ),
    "hcp/subjects/213522/structural/DTI_CM.mat": "14e832c177ed5226e88301ec5999c7e24afd76572dfcbc6d7ddba31708125a47",
    "hcp/subjects/213522/structural/DTI_LEN.mat": "629cfd5dfd2afb5c807ccb1e89d9fd98ced01154cbad0401859ca58d76a0e354",
    "hcp/subjects/213522/structural/nvoxel.txt": "a6b3edfdd7796ccf2e748bb86d0bdf0d70ed9afd74c31f4e5f37edcd1777f73e",
    "hcp/subjects/213522/structural/waytotal.txt": "4b553e367053ac80c1a462de5d309e30d51d0829286525e66e3d0ea7642e7290",
    "hcp/subjects/377451/functional/TC_rsfMRI_REST1_LR.mat": (
        "06abea3c53e5d9b2a0ec76749c858331b217504648cc071052c6911f43827e8f"
    ),
    "hcp/subjects/377451/structural/DTI_CM.mat": "558039079f98a8cafaaa7e17269c6fe67147c9b46723edc7317c1ce5369fb388",
    "hcp/subjects/377451/structural/DTI_LEN.mat": "e22cd87363b6667edb5c20b3f2e450ee6e64f1677b24590d1a422e4193d2bcb2",
    "hcp/subjects/377451/structural/nvoxel.txt": "7992d44045d07ddf8fa4618bf12a3a36b179ce901885185323dd3a5d7bd5bc41",
    "hcp/subjects/377451/structural/waytotal.txt": "7f57ee5047b4c0bdcb917189efa1df9bc411b5e27aa31ffb67d37359070d9ed2",
}
