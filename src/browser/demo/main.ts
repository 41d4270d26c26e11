document.getElementById('app')!.textContent = 'erlmesh demo (placeholder)';
